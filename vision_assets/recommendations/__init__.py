"""Recommendations, customer segments and churn: the algorithms as plain modules (``interactions``,
``collaborative``, ``popularity``, ``ranking``, ``evaluation``, ``segments``, ``churn``), testable without
Dagster, and the thin assets around them in ``assets``."""
