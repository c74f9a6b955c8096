"""Synthetic released cables for the dispatch tests and benchmark (written here, not taken
from any archive)."""

from __future__ import annotations

from cablebase.record import Cable, Paragraph, Recipient


def cable(
    n: int,
    *,
    precedence: str | None = "ROUTINE",
    info_precedence: str | None = None,
    to: tuple[str, ...] = ("RUEHC/SECSTATE WASHDC",),
    info: tuple[str, ...] = (),
    xmt: tuple[str, ...] = (),
    collectives: tuple[str, ...] = (),
    classification: str = "UNCLASSIFIED",
    post: str = "BAMAKO",
    subject: str | None = None,
) -> Cable:
    def line(role: str, text: str, collective: bool = False) -> Recipient:
        route, _, name = text.rpartition("/")
        return Recipient(role=role, route=route or None, name=name, collective=collective)

    recipients = [line("to", t) for t in to]
    recipients += [line("info", t) for t in info]
    recipients += [line("info", c, True) for c in collectives]
    recipients += [line("xmt", x) for x in xmt]
    mark = {"UNCLASSIFIED": "U", "CONFIDENTIAL": "C", "SECRET": "S"}[classification]
    return Cable(
        reference_id=f"26{post}{n}",
        created="2026-12-05T10:00:00Z",
        origin=f"Embassy {post.title()}",
        post=post,
        sender=f"AMEMBASSY {post}",
        classification=classification,
        precedence=precedence,
        info_precedence=info_precedence,
        subject=subject or f"DISPATCH TEST NUMBER {n}",
        subject_portion=mark,
        recipients=recipients,
        tags=["PREL", "ML"],
        paragraphs=[Paragraph(number=1, portion=mark, text=f"Test cable {n} for dispatch.")],
    )
