import sys

from langnghe.cli import main

sys.exit(main())
