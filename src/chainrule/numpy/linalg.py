"""``chainrule.numpy.linalg`` (placeholder until the linear-algebra family lands)."""
