"""The phonebank PBX: its container instance, derived from the settings."""

from __future__ import annotations

from engine.config import Settings
from engine.pbx.image import ImageTargets
from engine.pbx.instance import AsteriskInstance, Port


def image_targets(settings: Settings) -> ImageTargets:
    lab_image = settings.lab.phone_image if settings.lab else "localhost/phonebank-lab:22"
    return ImageTargets(asterisk=settings.pbx.image, lab=lab_image)


def pbx_instance(settings: Settings) -> AsteriskInstance:
    host = settings.pbx.bind_address
    return AsteriskInstance(
        name=settings.pbx.container_name,
        image=settings.pbx.image,
        config_dir=settings.asterisk_dir,
        spool_dir=settings.spool_dir,
        log_dir=settings.state_dir / "asterisk" / "log",
        ports=(
            Port(host, settings.pbx.sip_port, "udp", "[pbx] sip_port"),
            Port(settings.ami.host, settings.ami.port, "tcp", "[ami] port"),
            Port(settings.ari.host, settings.ari.port, "tcp", "[ari] port"),
        ),
    )
