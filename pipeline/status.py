"""pipeline status: the stages in order, the release each runs, and who is behind whom."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from kube.images import InvalidImage, parse_image
from model.loader import load_environments


@dataclass(frozen=True)
class StageStatus:
    stage: str
    release: str
    upstream: str | None
    upstream_release: str | None
    differing: tuple[tuple[str, str, str], ...]  # (service, this stage's version, upstream's)

    @property
    def behind(self) -> bool:
        return self.upstream is not None and (self.release != self.upstream_release or bool(self.differing))

    def as_dict(self) -> dict:
        return {**asdict(self), "behind": self.behind, "differing": [list(d) for d in self.differing]}


def _version(reference: str) -> str:
    try:
        image = parse_image(reference)
    except InvalidImage:
        return reference
    return image.tag or image.version


def stage_status(directory: Path) -> list[StageStatus]:
    """Every stage against the one before it."""
    envs = load_environments(directory)
    out, previous = [], None
    for env in envs:
        differing = ()
        if previous is not None:
            mine, theirs = env.release.images, previous.release.images
            differing = tuple(
                (name, _version(mine.get(name, "none")), _version(theirs.get(name, "none")))
                for name in sorted(set(mine) | set(theirs))
                if mine.get(name) != theirs.get(name)
            )
        out.append(
            StageStatus(
                env.stage,
                env.release.version,
                previous.stage if previous else None,
                previous.release.version if previous else None,
                differing,
            )
        )
        previous = env
    return out


def render_text(statuses: list[StageStatus]) -> str:
    lines = [f"{'stage':<10} {'release':<12} {'upstream':<22} state"]
    for s in statuses:
        upstream = f"{s.upstream} {s.upstream_release}" if s.upstream else "-"
        state = (
            "first stage"
            if s.upstream is None
            else (f"behind: {len(s.differing)} images differ" if s.behind else "up to date")
        )
        lines.append(f"{s.stage:<10} {s.release:<12} {upstream:<22} {state}")
        for service, mine, theirs in s.differing:
            lines.append(f"    {service}: {mine} (upstream {theirs})")
    return "\n".join(lines) + "\n"


def render_markdown(statuses: list[StageStatus]) -> str:
    lines = ["| stage | release | upstream | state | images that differ |", "|---|---|---|---|---|"]
    for s in statuses:
        state = "first stage" if s.upstream is None else ("**behind**" if s.behind else "up to date")
        upstream = f"{s.upstream} {s.upstream_release}" if s.upstream else "—"
        images = ", ".join(f"{service} {mine} (upstream {theirs})" for service, mine, theirs in s.differing) or "—"
        lines.append(f"| {s.stage} | {s.release} | {upstream} | {state} | {images} |")
    lines += ["", "```mermaid", "flowchart LR"]
    lines += [f'  {s.stage.replace("-", "_")}["{s.stage}<br/>{s.release}"]' for s in statuses]
    for s in statuses:
        if s.upstream:
            arrow = "-. behind .->" if s.behind else "-->"
            lines.append(f"  {s.upstream.replace('-', '_')} {arrow} {s.stage.replace('-', '_')}")
    return "\n".join(lines + ["```"]) + "\n"
