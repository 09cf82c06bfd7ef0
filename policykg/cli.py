"""The `policykg` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence


def _extract(args: argparse.Namespace) -> int:
    from policykg.loaders.extract import extract_file
    from policykg.loaders.record import to_json_dict

    record = extract_file(args.file)
    indent = 2 if args.pretty else None
    json.dump(to_json_dict(record), sys.stdout, ensure_ascii=False, indent=indent)
    sys.stdout.write("\n")
    return 0


def _summary(args: argparse.Namespace) -> int:
    """One line per document: what the loaders read out of it."""
    from policykg.data import corpus_files
    from policykg.loaders.extract import extract_file

    paths = args.files or [str(f) for f in corpus_files()]
    for path in paths:
        record = extract_file(path)
        where = record.jurisdiction.name if record.jurisdiction else "?"
        leads = sum(1 for m in record.measures if m.lead_agency)
        print(
            f"{path.rsplit('/', 1)[-1]}  {where}  {record.issue_date or '?'}  {record.doc_number or '-'}\n"
            f"    {record.title or '(no title)'}\n"
            f"    measures {len(record.measures)} (with lead agency {leads}), targets {len(record.targets)}, "
            f"instruments {len(record.instruments)}, pilot designations {len(record.pilot_sites)}, "
            f"citations {len(record.cites)}, warnings {len(record.warnings)}"
        )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policykg", description="Policy documents → knowledge graph.")
    sub = parser.add_subparsers(dest="command", required=True)
    extract = sub.add_parser("extract", help="print one document's record as JSON")
    extract.add_argument("file", help="a policy document (text; UTF-8, GB18030, Big5 or UTF-16)")
    extract.add_argument("--pretty", action="store_true", help="indent the JSON")
    extract.set_defaults(handler=_extract)
    summary = sub.add_parser("summary", help="extract documents (default: the bundled corpus) and summarise")
    summary.add_argument("files", nargs="*", help="documents to read (default: the bundled sample corpus)")
    summary.set_defaults(handler=_summary)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from policykg.loaders.reading import LoaderError

    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except LoaderError as exc:
        print(f"policykg: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
