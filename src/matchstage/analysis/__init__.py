"""Analysis: takes a document's text and gives its profile: French lemmas, sections, language, degree level,
personal details set aside, and the taxonomy's concepts found with the words that triggered them."""
