"""Allow `python -m sitegen`."""

from sitegen.launch import main

raise SystemExit(main())
