"""Reading: takes the files of a folder (PDF, DOCX, ODT, text, HTML) and gives plain-text documents, or a
reason why a file cannot be read (encrypted, scanned, corrupt...), one candidate per file or subfolder."""
