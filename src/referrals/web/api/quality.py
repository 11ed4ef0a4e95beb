"""The lead-quality model in use over HTTP: the High/Low line the labels use (for anyone signed in), and the last
evaluation on the newest closed leads (for program staff)."""

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from referrals.services.quality_history import status_for
from referrals.web.api.common import AUTHED
from referrals.web.deps import CurrentUser, EngineDep

router = APIRouter(tags=["quality"], responses=AUTHED)


class QualityLinePublic(BaseModel):
    threshold: float = Field(description="A lead is High from this chance of converting (and not flagged as spam)")
    kind: Literal["relative", "clamped", "top_share", "fixed", "default"] = Field(
        description="relative: 1.5x the program's conversion rate; clamped: moved so 10-60% of the training leads "
                    "are High; top_share: the top 30% of recent leads (no history); fixed: "
                    "REFERRALS_QUALITY_THRESHOLD; default: no model trained yet")
    base_rate: float | None = Field(description="The program's conversion rate the line was drawn from")


class PriorsOnlyPublic(BaseModel):
    auc: float
    brier: float
    ece: float


class QualityEvaluationPublic(BaseModel):
    evaluated_at: datetime
    kept_previous: bool = Field(description="The new model did worse on the newest leads: the previous one stayed")
    train: int
    test: int
    base_rate: float
    auc: float
    brier: float
    ece: float
    lift_top20: float
    high_share: float
    high_rate: float | None
    low_rate: float | None
    priors_only: PriorsOnlyPublic


class QualityPublic(BaseModel):
    trained_at: datetime | None = Field(description="When the model in use was trained; null: the priors")
    examples: int
    line: QualityLinePublic
    last_evaluation: QualityEvaluationPublic | None = Field(description="Program staff only; null otherwise")


@router.get("/quality", response_model=QualityPublic)
def quality(principal: CurrentUser, engine: EngineDep) -> QualityPublic:
    """The quality model in use and the line its High/Low labels are drawn at."""
    s = status_for(engine, principal)
    last = None
    if s.last is not None:
        last = QualityEvaluationPublic(evaluated_at=s.last.evaluated_at, kept_previous=s.last.kept_previous,
                                       **s.last.evaluation.to_json())
    return QualityPublic(trained_at=s.trained_at, examples=s.examples,
                         line=QualityLinePublic(threshold=s.threshold, kind=s.line_kind, base_rate=s.base_rate),
                         last_evaluation=last)
