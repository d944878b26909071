"""The national holiday arrangement of each year (年度节假日安排). Thin: parse → service/selector →
schema; the rules are in ``core.arrangements``, the writing in ``org.services``."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpResponse
from ninja import Field, Router, Schema

from tongban.api.auth import ApiRequest
from tongban.core import arrangements, calendar
from tongban.org import services

router = Router(tags=["calendar"])


class HolidayRangeSchema(Schema):
    name: str = Field(description="the holiday, e.g. 春节", max_length=100)
    first: date = Field(description="first day off")
    last: date | None = Field(None, description="last day off (default: the first)")


class MakeUpDaySchema(Schema):
    day: date = Field(description="a Saturday or Sunday worked (调休上班)")
    name: str = Field("", description="the holiday it makes up for", max_length=100)


class ArrangementIn(Schema):
    notice: str = Field(description="the notice's title or number", max_length=1000)
    holidays: list[HolidayRangeSchema] = Field(max_length=60)
    workdays: list[MakeUpDaySchema] = Field(default_factory=list, max_length=60)


class YearOut(Schema):
    year: int
    source: str = Field(description="package, entered or unknown")
    notice: str | None = None
    entered_by: str | None = None
    updated_at: datetime | None = None
    holidays: list[HolidayRangeSchema] = Field(default_factory=list)
    workdays: list[MakeUpDaySchema] = Field(default_factory=list)
    disagreements: list[date] = Field(
        default_factory=list,
        description="for an entered year the package now knows: the days where they differ",
    )


def _year(year: int) -> dict:
    arrangement = arrangements.arrangement_of(year)
    out: dict = {"year": year, "source": calendar.year_source(year).value}
    if arrangement is not None:
        holidays, workdays = arrangements.arrangement_ranges(arrangement)
        out |= {
            "notice": arrangement.notice,
            "entered_by": arrangement.entered_by_username,
            "updated_at": arrangement.updated_at,
            "holidays": [vars(h) for h in holidays],
            "workdays": [vars(w) for w in workdays],
            "disagreements": [d.day for d in calendar.disagreements(year)],
        }
    return out


@router.get(
    "/calendar/years", response=list[YearOut], summary="Which years' holiday arrangements are known"
)
def list_years(request: ApiRequest) -> list[dict]:
    return [_year(row.year) for row in arrangements.overview()]


@router.get("/calendar/years/{year}", response=YearOut, summary="A year's holiday arrangement")
def get_year(request: ApiRequest, year: int) -> dict:
    return _year(year)


@router.put(
    "/calendar/years/{year}",
    response=YearOut,
    summary="Enter or correct a year's State Council holiday arrangement (system administrator)",
)
def put_year(request: ApiRequest, year: int, payload: ArrangementIn) -> dict:
    services.enter_holiday_arrangement(
        request.auth,
        year,
        notice=payload.notice,
        holidays=[arrangements.HolidayRange(h.name, h.first, h.last) for h in payload.holidays],
        workdays=[arrangements.MakeUpDay(w.day, w.name) for w in payload.workdays],
    )
    return _year(year)


@router.delete(
    "/calendar/years/{year}", response={204: None}, summary="Withdraw an entered arrangement"
)
def delete_year(request: ApiRequest, year: int) -> HttpResponse:
    services.withdraw_holiday_arrangement(request.auth, year)
    return HttpResponse(status=204)
