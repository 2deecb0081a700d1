"""`python -m console` is `lambda-console`: the same commands, the same program name in help and errors."""

from console.cli import main

if __name__ == "__main__":
    main()
