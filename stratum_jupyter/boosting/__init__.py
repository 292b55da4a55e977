"""XGBoost, LightGBM and CatBoost as blocks (installed with ``stratum-jupyter[boosting]``)."""
