"""Fetching a Hub model for the local backend: the files its task needs, through
huggingface_hub's own downloads (its cache layout, locks, resume and token handling).

choose.py picks the files from the repository's list (one weight format, no other
frameworks' copies); fetch.py lists, guards (size, disk, access) and downloads them;
progress.py is what the terminal and the page show meanwhile.
"""

from .choose import Choice, RepoFile, choose_files
from .progress import DownloadProgress

__all__ = ["Choice", "DownloadProgress", "RepoFile", "choose_files"]
