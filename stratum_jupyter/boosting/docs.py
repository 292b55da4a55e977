"""What each parameter of the gradient-boosting blocks does, in one sentence (after the
libraries' own documentation), for the builder's forms and the catalog."""

from __future__ import annotations

COMMON = {
    "early_stopping_rounds": "Stop when the score on the inner validation split has not "
                             "improved for this many rounds (None: train every round).",
    "validation_fraction": "Share of the rows the block is fitted on held out for early "
                           "stopping (stratified for classifiers).",
    "learning_rate": "Step size shrinkage applied to each new tree.",
    "subsample": "Share of the rows sampled for each tree.",
    "colsample_bytree": "Share of the columns sampled for each tree.",
    "reg_alpha": "L1 regularization of the leaf weights.",
    "reg_lambda": "L2 regularization of the leaf weights.",
    "random_state": "Seed of the random numbers (give it for repeatable runs).",
    "n_jobs": "Threads used to train (1 for bit-for-bit repeatable runs; None: the library's "
              "default).",
    "n_estimators": "Number of boosting rounds (trees).",
}

DOCS = {
    "xgboost": {
        **COMMON,
        "max_depth": "Maximum depth of a tree (0: no limit, with tree_method hist).",
        "min_child_weight": "Minimum sum of instance weight (hessian) needed in a child.",
        "gamma": "Minimum loss reduction required to split a leaf further.",
        "tree_method": "Tree construction algorithm: hist, approx or exact.",
        "enable_categorical": "Use columns of pandas category dtype as categorical features.",
        "max_cat_to_onehot": "Categories up to this count are split one-hot, more by "
                             "partition (None: the library's default).",
    },
    "lightgbm": {
        **COMMON,
        "boosting_type": "gbdt (gradient boosting), dart (with dropouts) or rf (random "
                         "forest).",
        "num_leaves": "Maximum number of leaves of a tree.",
        "max_depth": "Maximum depth of a tree (-1: no limit).",
        "min_child_samples": "Minimum number of rows in a leaf.",
        "min_child_weight": "Minimum sum of instance weight (hessian) in a leaf.",
        "subsample_freq": "Sample the rows every this many rounds (0: no sampling).",
        "verbose": "How much LightGBM prints (-1: nothing).",
    },
    "catboost": {
        **COMMON,
        "iterations": "Number of boosting rounds (trees).",
        "learning_rate": "Step size of each round (None: chosen by CatBoost from the data).",
        "depth": "Depth of the (symmetric) trees.",
        "l2_leaf_reg": "L2 regularization of the leaf values (None: 3).",
        "random_strength": "Randomness of the split scores (None: 1).",
        "bagging_temperature": "Bayesian bootstrap strength (None: CatBoost's bootstrap "
                               "default).",
        "subsample": "Share of the rows sampled per tree (None: CatBoost's default).",
        "rsm": "Share of the columns considered per split (None: all).",
        "border_count": "Number of splits of a number column (None: 254).",
        "min_data_in_leaf": "Minimum number of rows in a leaf (None: 1).",
        "one_hot_max_size": "Categories up to this count are one-hot encoded (None: "
                            "CatBoost's default).",
        "random_seed": "Seed of the random numbers (None: 0).",
        "thread_count": "Threads used to train (-1: all cores; 1 for repeatable runs).",
        "verbose": "Print progress while training.",
        "allow_writing_files": "Write CatBoost's catboost_info folder while training.",
    },
}
