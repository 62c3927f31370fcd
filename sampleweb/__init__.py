"""The bundled sample government web: loopback servers modelled on real CMSs.

from sampleweb import SampleWeb
with SampleWeb() as web:
    web.sites, web.truth(), web.registry_yaml(); web.set_state("after")
"""

from sampleweb.model import Attachment, Change, ReportTruth, Truth
from sampleweb.web import SampleWeb, registry_yaml

__all__ = ["Attachment", "Change", "ReportTruth", "SampleWeb", "Truth", "registry_yaml"]
