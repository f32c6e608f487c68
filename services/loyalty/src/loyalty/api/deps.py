"""What routes share: loyalty's parts, wired by ``main.create_app`` onto ``app.state``."""

from typing import Annotated

from fastapi import Depends, Path, Request

from loyalty.parts import Parts


def parts(request: Request) -> Parts:
    found: Parts = request.app.state.parts
    return found


PartsDep = Annotated[Parts, Depends(parts)]
NamePath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
