"""A held-out web of government sites, written by hand from the field guide and never used to
tune the crawler: `HoldoutWeb` serves them; each `Site` carries its truth (report documents,
look-alikes, the minimal request path)."""

from sampleweb.holdout.kit import Doc, Site, Step
from sampleweb.holdout.web import HoldoutWeb

__all__ = ["Doc", "HoldoutWeb", "Site", "Step"]
