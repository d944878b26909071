"""tongban (一网通办): an open-source integrated e-government platform."""

__version__ = "0.1.0"
