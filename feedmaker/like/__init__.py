"""Papers like mine: rank papers by their similarity to the user's own library.

Reading a library, looking papers up by id, scoring with an exported model and choosing
members never import scikit-learn; only `feedmaker.like.fit` does (the `like` extra).
"""
