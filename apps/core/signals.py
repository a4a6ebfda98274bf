"""Signals that lower apps send so apps above them can follow, without an import upward."""

from django.dispatch import Signal

# Sent inside the transaction that changed something a public figure counts (a story
# published or withdrawn, a response published or withdrawn, a change recorded or
# updated), with `paths`: the materialised paths of the organisation nodes concerned.
# Their ancestors are concerned too; receivers work that out.
public_figures_changed = Signal()


def figures_changed(sender: object, paths: list[str]) -> None:
    """Announce that figures about these nodes (and everything above them) moved."""
    if paths:
        public_figures_changed.send(sender=sender, paths=sorted(set(paths)))
