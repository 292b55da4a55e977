import sys

from .cli import main

if __name__ == "__main__":  # (worker processes spawned by a LocalCluster import this as
    sys.exit(main())        # __mp_main__: they must not run the command again)
