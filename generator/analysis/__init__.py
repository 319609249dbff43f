"""Analysis of valid specs: the portfolio model, the feasibility verdict, readiness, metric values."""
