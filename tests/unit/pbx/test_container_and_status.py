"""Container engine choice, busy ports, and reading Asterisk's status output."""

from __future__ import annotations

import socket

import pytest

from engine.pbx import container
from engine.pbx.container import ContainerError, detect
from engine.pbx.instance import Port, port_busy
from engine.pbx.status import loaded_modules, static_contact_states


def test_no_container_engine_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(container.shutil, "which", lambda name: None)
    with pytest.raises(ContainerError, match="apt-get install podman runc"):
        detect("auto")


def test_podman_without_runc_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(container.shutil, "which", lambda name: "/usr/bin/podman" if name == "podman" else None)
    with pytest.raises(ContainerError, match="apt-get install runc"):
        detect("auto")


def test_docker_chosen_only_when_its_daemon_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(container.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(container, "_docker_answers", lambda binary: False)
    assert detect("auto").name == "podman"
    monkeypatch.setattr(container, "_docker_answers", lambda binary: True)
    assert detect("auto").name == "docker"


def test_engine_none_points_at_the_docs() -> None:
    with pytest.raises(ContainerError, match="docs/install.md"):
        detect("none")


@pytest.mark.parametrize("proto", ["tcp", "udp"])
def test_port_busy_sees_a_bound_port(proto: str) -> None:
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    with socket.socket(socket.AF_INET, kind) as holder:
        holder.bind(("127.0.0.1", 0))
        if proto == "tcp":
            holder.listen()
        port = holder.getsockname()[1]
        assert port_busy(Port("127.0.0.1", port, proto, "[x] port"))
    assert not port_busy(Port("127.0.0.1", port, proto, "[x] port"))


def test_loaded_modules_counts_only_running_ones() -> None:
    output = """Module                         Description                              Use Count  Status      Support Level
chan_pjsip.so                  PJSIP Channel Driver                     0          Running              core
app_amd.so                     Answering Machine Detection Application  0          Not Running          core
res_ari.so                     Asterisk RESTful Interface               0          Running              core
3 modules loaded
"""
    assert loaded_modules(output) == {"chan_pjsip", "res_ari"}


def test_static_contact_states_reads_the_trunk_line() -> None:
    output = """
  Contact:  <Aor/ContactUri..............................> <Hash....> <Status> <RTT(ms)..>
==========================================================================================

  Contact:  agent1001/sip:agent1001-0x1@127.0.0.1:15000    885cf2a516 Avail         0.348
  Contact:  lab/sip:127.0.0.1:5070                         b0e9390783 Unavail       nan
"""
    assert static_contact_states(output) == {"agent1001": "Avail", "lab": "Unavail"}
