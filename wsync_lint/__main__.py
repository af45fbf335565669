"""``python -m wsync_lint``: the same entry point as the ``wsync-lint`` script."""

from wsync_lint.cli.app import main

if __name__ == "__main__":
    main()
