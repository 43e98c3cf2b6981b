"""spoofcm: recipes and library for spoofed and deepfake speech detection."""

__version__ = "0.1.0"
