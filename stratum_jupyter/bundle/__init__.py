"""The saved model bundle (PRODUCT.md section 5): ``model.skops`` (or ``model.keras``),
``profile.json``, ``requirements.txt``, ``leaderboard.csv``."""

from .load import load_model, read_profile
from .own import save_model
from .save import PROFILE_FORMAT, save_bundle

__all__ = ["PROFILE_FORMAT", "load_model", "read_profile", "save_bundle", "save_model"]
