"""Sound files to the mono float32 samples a model's feature extractor wants.

Decoded with libsndfile (the ``soundfile`` wheel: WAV, FLAC, OGG/Vorbis, MP3), so no ffmpeg
binary is needed; resampled here because transformers' own resampling needs torchaudio.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..media import Media
from .common import Json, Runner, jsonable, make_pipeline, pick


def decode(media: Media, field: str = "audio") -> tuple[Any, int]:
    """(samples, sampling rate) of a sound file; samples are mono float32 in [-1, 1]."""
    import numpy as np
    import soundfile

    try:
        samples, rate = soundfile.read(io.BytesIO(media.data), dtype="float32", always_2d=True)
    except (RuntimeError, ValueError, soundfile.LibsndfileError) as exc:
        raise InputError(
            f"{field}: cannot decode this {media.mime} sound ({exc}); send WAV, FLAC, OGG or MP3"
        ) from None
    if samples.size == 0:
        raise InputError(f"{field}: the recording is empty; record or upload a longer sound")
    return np.ascontiguousarray(samples.mean(axis=1)), int(rate)


def resample(samples: Any, rate: int, target: int) -> Any:
    """Polyphase resampling (scipy) when available, else linear interpolation."""
    if rate == target:
        return samples
    import numpy as np

    try:
        from math import gcd

        from scipy.signal import resample_poly
    except ImportError:
        duration = len(samples) / rate
        positions = np.linspace(0, len(samples) - 1, max(1, round(duration * target)))
        return np.interp(positions, np.arange(len(samples)), samples).astype("float32")
    step = gcd(rate, target)
    return resample_poly(samples, target // step, rate // step).astype("float32")


def load_for(media: Media, target_rate: int) -> Any:
    samples, rate = decode(media)
    return resample(samples, rate, target_rate)


def _audio_pipeline(task: str, model_dir: Path) -> tuple[Any, int]:
    pipe = make_pipeline(task, model_dir)
    return pipe, int(pipe.feature_extractor.sampling_rate)


def audio_classification(model_dir: Path) -> Runner:
    pipe, rate = _audio_pipeline("audio-classification", model_dir)

    def run(inputs: list[Media], parameters: dict[str, Any]) -> list[Json]:
        sounds = [{"raw": load_for(m, rate), "sampling_rate": rate} for m in inputs]
        kwargs = {"top_k": parameters.get("top_k") or 5, **pick(parameters, "function_to_apply")}
        return [jsonable(pipe(sound, **kwargs)) for sound in sounds]

    return run


def automatic_speech_recognition(model_dir: Path) -> Runner:
    pipe, rate = _audio_pipeline("automatic-speech-recognition", model_dir)

    def run(inputs: list[Media], parameters: dict[str, Any]) -> list[Json]:
        answers = []
        for media in inputs:
            result = pipe({"raw": load_for(media, rate), "sampling_rate": rate})
            answers.append({"text": result["text"]})
        return answers

    return run
