#!/usr/bin/env bash
# check_xlsx.sh: Gridbook imports workbooks made by a real spreadsheet program (issue 13).
#
# LibreOffice (Debian's libreoffice-calc-nogui, installed when soffice is missing) converts the
# demo county's units.csv, categories.csv and households.csv to .xlsx the way a township's clerk
# would make them: codes in text columns, dates typed as dates (stored as serial numbers), phone
# numbers and counts as numbers. Gridbook imports the workbooks into one database and the CSV
# files into another, and both are exported again: the exports must be the same, byte for byte.
# Then people.csv is converted with its ID numbers left as numbers (what happens when nobody
# formats the column as text): the import must refuse, saying the column was stored as a number.
#
#   Tools/check_xlsx.sh [--gridbook PATH]      (without --gridbook: swift build first)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
# shellcheck source=Tools/common.sh
source "$ROOT/Tools/common.sh"

GRIDBOOK=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --gridbook) GRIDBOOK="$2"; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "check_xlsx.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
GRIDBOOK="$(gridbook_binary "$GRIDBOOK")"

if ! command -v soffice >/dev/null 2>&1; then
    say "installing LibreOffice Calc (Debian's libreoffice-calc-nogui)"
    apt_install libreoffice-calc-nogui
fi

WORK="$(mktemp -d /tmp/gridbook-xlsx.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/csv" "$WORK/xlsx" "$WORK/broken"
cp Seeds/demo/units.csv Seeds/demo/categories.csv Seeds/demo/households.csv "$WORK/csv/"

# LibreOffice's CSV import options: comma, double quote, UTF-8 (76), from line 1, then each
# column's type (1 standard: numbers become numbers, 2 text, 5 a date typed year-month-day).
convert() {  # convert FILE COLUMN-TYPES OUTDIR
    local file="$1" types="$2" out="$3"
    soffice -env:UserInstallation="file://$WORK/profile" --headless \
        --infilter="CSV:44,34,76,1,$types" --convert-to xlsx --outdir "$out" "$file" >/dev/null 2>&1
    [[ -s "$out/$(basename "${file%.csv}").xlsx" ]] || { echo "FAIL LibreOffice did not convert $file" >&2; exit 1; }
}
say "converting with $(soffice --version 2>/dev/null | head -1)"
convert "$WORK/csv/units.csv" "1/2/2/2/3/2/4/2" "$WORK/xlsx"
convert "$WORK/csv/categories.csv" "1/2/2/2/3/1" "$WORK/xlsx"
convert "$WORK/csv/households.csv" "1/2/2/2/3/2/4/2/5/2/6/1/7/1/8/2/9/5" "$WORK/xlsx"

say "importing the CSV files and the workbooks"
"$GRIDBOOK" --db "$WORK/csv.sqlite" import "$WORK/csv" >/dev/null
"$GRIDBOOK" --db "$WORK/xlsx.sqlite" import "$WORK/xlsx" >/dev/null
"$GRIDBOOK" --db "$WORK/csv.sqlite" export "$WORK/csv-out" >/dev/null 2>&1
"$GRIDBOOK" --db "$WORK/xlsx.sqlite" export "$WORK/xlsx-out" >/dev/null 2>&1
if ! diff -r "$WORK/csv-out" "$WORK/xlsx-out" >"$WORK/diff.txt"; then
    echo "FAIL the workbooks imported differently from the CSV files:" >&2
    head -20 "$WORK/diff.txt" >&2
    exit 1
fi
echo "PASS units.xlsx, categories.xlsx and households.xlsx from LibreOffice import to the same records as the CSV files ($(($(wc -l < "$WORK/xlsx-out/households.csv") - 1)) households)"

say "ID numbers left as numbers"
cp Seeds/demo/units.csv "$WORK/broken/"
head -3 Seeds/demo/people.csv > "$WORK/people.csv"
convert "$WORK/people.csv" "1/2/2/1/3/1/4/1" "$WORK/broken"
if "$GRIDBOOK" --db "$WORK/broken.sqlite" import "$WORK/broken" >"$WORK/broken.out" 2>&1; then
    echo "FAIL people.xlsx with ID numbers stored as numbers was imported" >&2
    exit 1
fi
if ! grep -q "people.xlsx:2: id_number: .* was stored as a number by the spreadsheet" "$WORK/broken.out"; then
    echo "FAIL the refusal does not say the ID number was stored as a number:" >&2
    cat "$WORK/broken.out" >&2
    exit 1
fi
echo "PASS people.xlsx with ID numbers stored as numbers is refused: $(grep -m1 'people.xlsx:2: id_number' "$WORK/broken.out")"
echo "check_xlsx: all checks passed"
