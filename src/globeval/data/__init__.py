"""Where samples come from: the Hugging Face Hub at pinned revisions, local copies, bundled samples."""
