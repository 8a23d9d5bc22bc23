"""`osint demo` serves its site on the same port every run, so a second run re-crawls the same URLs."""

from __future__ import annotations

from app.commands.demo import demo_site


def test_the_demo_site_keeps_its_port_between_runs(tmp_path):
    with demo_site(tmp_path) as first:
        port = first.server_address[1]
    with demo_site(tmp_path) as second:
        assert second.server_address[1] == port


def test_a_taken_port_gives_a_new_one_which_is_then_kept(tmp_path):
    with demo_site(tmp_path) as holder, demo_site(tmp_path) as newcomer:
        assert newcomer.server_address[1] != holder.server_address[1]
    with demo_site(tmp_path) as later:
        assert later.server_address[1] == newcomer.server_address[1]
