from hubdemo.cli import main

main()
