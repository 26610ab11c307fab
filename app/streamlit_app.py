"""suanli what-if app: ``suanli app`` or ``make app`` (``streamlit run app/streamlit_app.py``).

Pages live in ``views/`` (not ``pages/``: a ``pages/`` folder beside the main
script switches Streamlit to its older page mode, which ``st.navigation``
replaces). A thin layer over :mod:`sim`: the sidebar turns sliders into scenario overrides
(:mod:`whatif`), runs are cached (:mod:`state`), pages draw the results.
"""

from __future__ import annotations

import streamlit as st
from state import sidebar
from texts import t

st.set_page_config(page_title="suanli 算力", page_icon="⚡", layout="wide")
pages = st.navigation(
    [
        st.Page(
            "views/scenario.py",
            title=t("page.scenario"),
            url_path="scenario",
            default=True,
        ),
        st.Page("views/compare.py", title=t("page.compare"), url_path="compare"),
        st.Page("views/buildout.py", title=t("page.buildout"), url_path="buildout"),
        st.Page("views/jobs.py", title=t("page.jobs"), url_path="jobs"),
        st.Page("views/sweeps.py", title=t("page.sweeps"), url_path="sweeps"),
        st.Page("views/export.py", title=t("page.export"), url_path="export"),
        st.Page("views/editor.py", title=t("page.editor"), url_path="editor"),
    ]
)
# the progress note of uncached runs, at the top of the page, above the headline
st.session_state["progress_slot"] = st.empty()
sidebar()
pages.run()
