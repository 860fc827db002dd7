from matchstage.cli import main

main()
