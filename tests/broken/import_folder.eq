# expect: E0107 2:1 cannot import `import_cycle`: it is a folder, not a file
import "import_cycle" as terms
