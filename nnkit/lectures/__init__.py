"""One room per lecture: the code that serves a single lecture, next to nothing else."""
