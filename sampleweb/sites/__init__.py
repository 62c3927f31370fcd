"""The sample sites, one module per CMS platform."""
