"""The seed's five dashboards as Dagster assets: self-contained HTML pages that open offline.

Chart modules (``sales``, ``spending``, ``geography``, ``products``, ``engagement``) turn warehouse frames
into a ``page.Dashboard`` with no Dagster in sight, so they are tested on small frames; ``page`` writes a
dashboard as one HTML file with everything inline; ``assets`` wraps each in a thin asset.

Altair is imported where a chart is drawn, not with the modules: every process of the code location imports
them for the assets' names and inputs, and few of those processes draw a chart.
"""

from vision_assets.dashboards.assets import dashboard_assets

__all__ = ["dashboard_assets"]
