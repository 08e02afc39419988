from transom.cli import main

main()
