"""Demo data: the Châu Thành district (Kiên Giang) of the article, with made-up cells and people."""
