"""VariantWeb: a generated web of government sites, each on its own loopback address."""

from __future__ import annotations

import json
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from types import TracebackType

from sampleweb.model import SiteContent
from sampleweb.model import SiteTruth as LegacySiteTruth
from sampleweb.sites.base import check_state
from sampleweb.variants.families import FAMILIES, FamilySpec
from sampleweb.variants.kit import BuiltSite, SiteKit, finish_hosts
from sampleweb.variants.model import Family, SiteTruth, WebTruth
from sampleweb.variants.names import NamePool
from sampleweb.variants.server import Misbehaviour, VariantServer

DEFAULT_PREFIX = "127.0."
FIRST_OCTET = 64  # sites live on 127.0.64.1, 127.0.64.2, …


def plan_families(seed: int, n_sites: int, families: list[Family] | None = None) -> list[Family]:
    """Which family each site is: every family once (while sites last), then at random."""
    rng = random.Random(f"variants:{seed}:families")
    pool = list(families or FAMILIES)
    unknown = [f for f in pool if f not in FAMILIES]
    if unknown:
        raise ValueError(f"unknown families: {unknown}")
    order = pool[:]
    rng.shuffle(order)
    chosen = order[: min(n_sites, len(order))]
    while len(chosen) < n_sites:
        chosen.append(rng.choice(pool))
    rng.shuffle(chosen)
    return chosen


def _address(prefix: str, first_octet: int, n: int) -> str:
    return f"{prefix}{first_octet + n // 250}.{n % 250 + 1}"


class VariantWeb:
    """A generated web: `n_sites` sites of the field guide's families, deterministic for
    `seed` (a fresh random seed when None: read it back from `.seed`).

    Every site runs on its own loopback address (`port` 0: an ephemeral port each). The
    "after" state serves the same content (an unchanged web, for second-crawl figures).
    """

    def __init__(
        self,
        seed: int | None = None,
        n_sites: int = 40,
        *,
        port: int = 0,
        host_prefix: str = DEFAULT_PREFIX,
        first_octet: int = FIRST_OCTET,
        families: list[Family] | None = None,
        stall_seconds: float = 3.0,
        state: str = "before",
    ) -> None:
        if n_sites < 1:
            raise ValueError("n_sites must be at least 1")
        self.seed = seed if seed is not None else random.SystemRandom().randrange(10**9)
        self.state = check_state(state)
        self.stall_seconds = stall_seconds
        self.families = plan_families(self.seed, n_sites, families)
        pool = NamePool(random.Random(f"variants:{self.seed}:names"))
        self.built: list[BuiltSite] = []
        self.servers: list[dict[str, VariantServer]] = []
        self._started = False
        n_address = 0
        for index, family in enumerate(self.families):
            spec = FAMILIES[family]
            servers: dict[str, VariantServer] = {}
            for role in ("main", *spec.roles):
                host = _address(host_prefix, first_octet, n_address)
                n_address += 1
                servers[role] = VariantServer(host, port, "nginx", stall_seconds)
            bases = {
                role: f"http://{s.httpd.server_address[0]!s}:{s.port}"
                for role, s in servers.items()
            }
            site_id = f"site{index + 1:02d}"
            rng = random.Random(f"variants:{self.seed}:{index}")
            kit = SiteKit(site_id, family, rng, bases, spec.knobs)
            built = spec.build(kit, pool)
            kit.finish_robots(built.start_urls)
            finish_hosts(kit)
            self.built.append(built)
            self._configure(spec, kit, servers)
            unused = [role for role in servers if role not in kit.uses and role != "main"]
            for role in unused:
                servers.pop(role).httpd.server_close()
            self.servers.append(servers)

    def _configure(self, spec: FamilySpec, kit: SiteKit, servers: dict[str, VariantServer]) -> None:
        misbehaviour = None
        if kit.flaky:
            from sampleweb.variants.families.flaky import RATES

            fail, stall, reset = RATES[kit.vars.get("misbehaviour", "mixed")]
            misbehaviour = Misbehaviour(f"{self.seed}:{kit.id}", fail, stall, reset)
        for role, server in servers.items():
            server.configure(
                server_name=kit.server_name,
                static=spec.static,
                soft_404=kit.knob("not_found") == "soft-404" and role == "main",
                misbehaviour=misbehaviour if role == "main" else None,
                burst_limit=kit.burst_limit if role == "main" else None,
                extra_headers=kit.extra_headers,
            )

    # ------------------------------------------------------------------ lifecycle

    def _content(self, kit: SiteKit, role: str) -> SiteContent:
        return SiteContent(
            pages=kit.pages[role], dynamic=kit.dynamic[role], truth=LegacySiteTruth()
        )

    def start(self) -> VariantWeb:
        if self._started:
            return self
        for built, servers in zip(self.built, self.servers, strict=True):
            for role, server in servers.items():
                server.set_content(self._content(built.kit, role))
                server.start()
        self._started = True
        return self

    def stop(self) -> None:
        every = [server for servers in self.servers for server in servers.values()]
        if self._started:  # in parallel: each shutdown waits for its server's poll loop
            with ThreadPoolExecutor(max_workers=min(32, len(every))) as pool:
                list(pool.map(lambda server: server.stop(), every))
        else:
            for server in every:
                server.httpd.server_close()
        self._started = False

    def __enter__(self) -> VariantWeb:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def set_state(self, state: str) -> None:
        """Switch to "before" or "after". The after state is the same web, unchanged."""
        self.state = check_state(state)
        for built, servers in zip(self.built, self.servers, strict=True):
            for role, server in servers.items():
                server.set_content(self._content(built.kit, role))

    # ------------------------------------------------------------------ truth

    @property
    def sites(self) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for built, family in zip(self.built, self.families, strict=True):
            out.append(
                {
                    "id": built.kit.id,
                    "family": str(family),
                    "owner": built.tree.owner.name,
                    "base_url": built.kit.bases["main"],
                    "hosts": {r: built.kit.bases[r] for r in sorted(built.kit.uses)},
                    "start_urls": list(built.start_urls),
                }
            )
        return out

    def site_truth(self, built: BuiltSite) -> SiteTruth:
        kit = built.kit
        return SiteTruth(
            site=kit.id,
            family=kit.family,
            dialect=dict(kit.dialect),
            owner=built.tree.owner.id,
            base_url=kit.bases["main"],
            start_urls=list(built.start_urls),
            hosts={r: kit.bases[r] for r in sorted(kit.uses)},
            reports=list(kit.reports),
            decoys=list(kit.decoys),
            steps=kit.nav_steps + kit.doc_steps,
            traps=list(kit.traps),
            challenge=kit.challenge,
            burst_limit=kit.burst_limit,
            flaky=kit.flaky,
        )

    def truth(self, state: str | None = None) -> WebTruth:
        state = check_state(state or self.state)
        return WebTruth(self.seed, state, [self.site_truth(b) for b in self.built])

    def registry_yaml(self) -> str:
        """The registry (../shared/spec/registry.md) of the web, as YAML text."""

        def q(value: str) -> str:
            return json.dumps(value, ensure_ascii=False)

        lines = [
            f"# registry of a generated variant web (sampleweb.variants, seed {self.seed});",
            "# some townships and departments are left out on purpose",
            "agencies:",
        ]
        for built in self.built:
            for a in built.tree.all:
                if not a.registered:
                    continue
                lines.append(f"  - id: {q(a.id)}")
                lines.append(f"    name: {q(a.name)}")
                if a.aliases:
                    lines.append(f"    aliases: [{', '.join(q(x) for x in a.aliases)}]")
                if a.division_code:
                    lines.append(f"    division_code: {q(a.division_code)}")
                lines.append(f"    level: {a.level}")
                lines.append(f"    kind: {a.kind}")
                if a.parent:
                    lines.append(f"    parent: {q(a.parent)}")
        lines += ["", "sites:"]
        for built in self.built:
            kit = built.kit
            lines.append(f"  - id: {q(kit.id)}")
            lines.append(f"    agency: {q(built.tree.owner.id)}")
            lines.append("    start_urls:")
            lines += [f"      - {q(u)}" for u in built.start_urls]
            hosts = ["main", *[r for r in built.registry_hosts if r in kit.uses]]
            names = [kit.bases[r].split("://", 1)[1].rsplit(":", 1)[0] for r in hosts]
            if len(set(names)) > 1:
                lines.append(f"    hosts: [{', '.join(q(n) for n in dict.fromkeys(names))}]")
            lines.append(f"    render: {built.render}")
        return "\n".join(lines) + "\n"

    # ------------------------------------------------------------------ requests

    def requests(self) -> list[tuple[str, str, str]]:
        """Every request received so far: (site id, method, full URL)."""
        out: list[tuple[str, str, str]] = []
        for built, servers in zip(self.built, self.servers, strict=True):
            for role, server in servers.items():
                base = built.kit.bases[role]
                out += [(built.kit.id, m, base + target) for m, target in list(server.requests)]
        return out

    def answers(self) -> list[tuple[str, str, str, int, int]]:
        """Every answer sent so far: (site id, method, full URL, status, body length);
        status 0 is a connection reset without an answer."""
        out: list[tuple[str, str, str, int, int]] = []
        for built, servers in zip(self.built, self.servers, strict=True):
            for role, server in servers.items():
                base = built.kit.bases[role]
                out += [
                    (built.kit.id, m, base + target, status, size)
                    for m, target, status, size in list(server.answers)
                ]
        return out

    def clear_requests(self) -> None:
        for servers in self.servers:
            for server in servers.values():
                server.requests.clear()
                server.answers.clear()


def generate(
    seed: int,
    n_sites: int = 40,
    *,
    port: int = 0,
    families: list[Family] | None = None,
    stall_seconds: float = 3.0,
) -> VariantWeb:
    """A variant web for `seed` (bound to its addresses, not started: use `with`)."""
    return VariantWeb(seed, n_sites, port=port, families=families, stall_seconds=stall_seconds)


def truth_json(truth: WebTruth) -> str:
    """The truth as JSON (POST bodies as latin-1 text), for other processes and tools."""

    def default(value: object) -> object:
        if isinstance(value, bytes):
            return value.decode("latin-1")
        raise TypeError(type(value).__name__)

    data = asdict(truth)
    for site, obj in zip(data["sites"], truth.sites, strict=True):
        site["min_fetches"] = obj.min_fetches
    return json.dumps(data, ensure_ascii=False, indent=1, default=default)
