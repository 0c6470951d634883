"""Global switches. ``config.debug_nans = True`` raises at the first primitive whose
traced output (or backward cotangent) holds a NaN, naming the primitive."""


class _Config:
    __slots__ = ("debug_nans",)

    def __init__(self) -> None:
        self.debug_nans = False

    def __repr__(self) -> str:
        return f"chainrule.config(debug_nans={self.debug_nans})"


config = _Config()
