"""``python -m flows.server status|stop`` (also ``declutter server status|stop``): the kept local server."""
import sys

from flows.server.kept import main

if __name__ == "__main__":
    sys.exit(main())
