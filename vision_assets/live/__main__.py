"""``python -m vision_assets.live`` (``make live``): see :mod:`vision_assets.live.lane`."""

from vision_assets.live.lane import main

if __name__ == "__main__":
    main()
