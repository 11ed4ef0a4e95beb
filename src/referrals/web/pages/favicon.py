"""The site's icon: a small SVG in web/static, linked from every page and also answered at /favicon.ico, where
browsers and tools look without reading the page."""

from fastapi import APIRouter
from starlette.responses import FileResponse

from referrals.web.pages import STATIC_DIR

router = APIRouter(include_in_schema=False)


@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})
