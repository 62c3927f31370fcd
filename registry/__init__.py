"""The registry: the agencies that owe annual reports and the sites to crawl for them."""

from registry.loader import RegistryError, load_registry
from registry.model import Agency, Registry, Site

__all__ = ["Agency", "Registry", "RegistryError", "Site", "load_registry"]
