"""The heatmap's data and figure, from the facade's adviser-week frame."""

from __future__ import annotations

import numpy as np
import pytest

from allocation import build_ledger
from console.heatmap import METRICS, heatmap_data, selected_adviser
from console.heatmap_figure import AWAY_COLOUR, SCALES, heatmap_figure
from services import views
from tests.builders import adviser, clarify, closure, d, leave, snapshot

TODAY = d("2026-03-11")


def firm_frame():
    firm = snapshot(
        adviser("dana", "Dana", region="NSW"),
        adviser("eli", "Eli", region="VIC"),
        adviser("zed", "Zed", taking_on_clients=False, end_date=d("2026-03-01")),
        meetings=(clarify("dana", "2026-03-24"), clarify("dana", "2026-03-25")),
        leave=(leave("eli", "2026-03-23", "2026-04-03"), leave("dana", "2026-04-14", "2026-04-14")),
        closures=(closure("2026-04-27", "2026-05-01", regions=("NSW",)),),
    )
    return views.heatmap_base(firm, build_ledger(firm, TODAY))


def test_rows_run_soonest_first_and_advisers_with_no_open_week_last() -> None:
    data = heatmap_data(firm_frame())

    assert data.labels == ("Dana", "Eli", "Zed")
    assert data.earliest[0] == d("2026-03-30")  # two Clarifies fill the week of 23 March
    assert data.earliest[1] == d("2026-04-06")  # on leave until then
    assert data.earliest[2] is None  # has left


def test_rows_can_run_by_name() -> None:
    assert heatmap_data(firm_frame(), sort="name").labels == ("Dana", "Eli", "Zed")
    with pytest.raises(ValueError, match="unknown sort"):
        heatmap_data(firm_frame(), sort="height")


def test_the_grid_covers_the_52_weeks_from_this_week() -> None:
    data = heatmap_data(firm_frame())

    assert len(data.weeks) == 52
    assert data.weeks[0] == d("2026-03-09")
    assert data.balance.shape == (3, 52)


def test_leave_and_closure_weeks_are_marked_and_explained_in_plain_words() -> None:
    data = heatmap_data(firm_frame())
    col = {w: j for j, w in enumerate(data.weeks)}

    assert data.away[1, col[d("2026-03-23")]]  # Eli on leave all week
    assert data.marked[0, col[d("2026-04-13")]]
    assert not data.away[0, col[d("2026-04-13")]]
    assert data.away[0, col[d("2026-04-27")]]  # NSW closure reaches Dana, not Eli
    assert not data.marked[1, col[d("2026-04-27")]]
    assert "away: 5 day(s) of leave" in data.notes[1, col[d("2026-03-23")]]
    assert "away: 5 day(s) closed" in data.notes[0, col[d("2026-04-27")]]
    assert "not open: away all week" in data.notes[0, col[d("2026-04-27")]]


def test_hover_gives_the_weeks_figures() -> None:
    data = heatmap_data(firm_frame())

    text = data.hover_text(0, 2)  # Dana, week of 23 March: two Clarifies

    assert text.startswith("<b>Dana</b> · week of Mon 23 Mar 2026")
    assert "utilisation 144%" in text
    assert "load 2" in text
    assert "limit 6/month" in text


def test_each_metric_is_its_own_matrix_and_utilisation_is_load_over_earn() -> None:
    data = heatmap_data(firm_frame())

    assert np.allclose(data.metric("load")[0, 2], 2)
    assert np.isclose(data.metric("utilisation")[0, 2], 2 / (6 * 12 / 52))
    assert np.isnan(data.metric("utilisation")[2, 5])  # earns nothing after leaving
    with pytest.raises(ValueError, match="unknown metric"):
        data.metric("colour")


def test_the_table_is_what_is_shown_one_row_per_adviser() -> None:
    data = heatmap_data(firm_frame())

    table = data.table("load")

    assert list(table.columns[:3]) == ["adviser_id", "adviser", "earliest_week"]
    assert table.shape == (3, 3 + 52)
    assert table.loc[0, "2026-03-23"] == 2


def test_names_shared_by_two_advisers_stay_apart() -> None:
    firm = snapshot(adviser("a1", "Sam"), adviser("a2", "Sam"))
    data = heatmap_data(views.heatmap_base(firm, build_ledger(firm, TODAY)))

    assert set(data.labels) == {"Sam (a1)", "Sam (a2)"}


def test_the_figure_paints_away_weeks_grey_shades_part_weeks_and_marks_earliest() -> None:
    data = heatmap_data(firm_frame())

    for metric in METRICS:
        figure = heatmap_figure(data, metric)
        names = [trace.name for trace in figure.data]
        assert names[:2] == [METRICS[metric], "some days of leave or closure"]
        grey = figure.data[0].colorscale[0][1]
        away = figure.data[0].z[1, 2]  # Eli, on leave the week of 23 March
        assert grey == AWAY_COLOUR
        assert away < SCALES[metric].low
        assert figure.data[0].colorbar.ticktext[0] == "away"
        assert figure.data[0].customdata.shape == (3, 52, 5)  # the hover's figures
        shaded = figure.data[1].z
        assert np.nansum(shaded) == (data.marked & ~data.away).sum() == 1  # Dana, 14 April
        earliest = figure.data[-1]
        assert list(earliest.customdata) == ["dana", "eli"]


def test_a_click_on_an_earliest_week_marker_names_the_adviser() -> None:
    selection = {"points": [{"x": "2026-03-23", "customdata": "eli"}]}

    assert selected_adviser(selection) == "eli"
    assert selected_adviser({"points": [{"customdata": ["dana"]}]}) == "dana"
    assert selected_adviser({"points": [{"x": 1}]}) is None
    assert selected_adviser(None) is None


def test_an_adviser_not_taking_clients_is_never_open_and_the_hover_says_why() -> None:
    firm = snapshot(adviser("dana", "Dana"), adviser("fay", "Fay", taking_on_clients=False))
    data = heatmap_data(views.heatmap_base(firm, build_ledger(firm, TODAY)))

    fay = data.labels.index("Fay")
    assert data.eligible[fay] is False
    assert data.earliest[fay] is None
    assert not data.is_open[fay].any()
    assert "not open: not taking on new clients" in data.hover_text(fay, 5)
    assert data.labels == ("Dana", "Fay")  # the allocator skips her: last
    figure = heatmap_figure(data, "balance", TODAY)
    assert "Fay · not taking on clients" in figure.data[0].y
    assert "fay" not in figure.data[-1].customdata  # no ◆


def test_today_and_the_buffer_weeks_are_marked_and_months_carry_the_year() -> None:
    data = heatmap_data(firm_frame())

    figure = heatmap_figure(data, "balance", TODAY)

    assert data.buffer_weeks == (d("2026-03-09"), d("2026-03-16"))
    assert [a.text for a in figure.layout.annotations] == ["buffer", "today"]
    assert figure.layout.xaxis.tickformat == "%b<br>%Y"
    assert figure.layout.xaxis2.side == "bottom"
    assert "new clients" in figure.data[0].colorbar.title.text
