"""Lecture 06, classifiers and cross-entropy: likelihoods, entropy and KL divergence (``likelihood``)."""
