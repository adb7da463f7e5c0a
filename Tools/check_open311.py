"""check_open311.py: georeport (PyPI), a GeoReport v2 client written by others, reads Gridbook.

Run by Tools/check_open311.sh with the venv's python, after curl filed a request:
    check_open311.py --base http://127.0.0.1:PORT/open311/v2 --id 2026-000001 --key gb_… \
        --first-status 201 --first '[…]' --second-status 200 --second '[…]'
Prints PASS/FAIL per check and exits 1 when any failed.
"""
import argparse
import json
import sys
import urllib.request

from georeport import GeoReport

failed = 0


def check(name, condition, detail=""):
    global failed
    print(("PASS " if condition else "FAIL ") + name + ("" if condition else f": {detail}"))
    if not condition:
        failed += 1


def main():
    parser = argparse.ArgumentParser()
    for name in ("--base", "--id", "--key", "--first-status", "--first", "--second-status", "--second"):
        parser.add_argument(name, required=True)
    args = parser.parse_args()

    check("curl's post is filed (201) and its retry answers the same request (200)",
          args.first_status == "201" and args.second_status == "200" and args.first == args.second,
          f"{args.first_status} {args.first} / {args.second_status} {args.second}")

    for mode in ("json", "xml"):
        client = GeoReport(args.base, output_format=mode)
        services = client.get_service_list()
        codes = [service["service_code"] for service in services]
        check(f"[{mode}] services: the 17 categories, land among them", len(codes) == 17 and "land" in codes, codes)
        land = next((service for service in services if service["service_code"] == "land"), {})
        check(f"[{mode}] the land service: name, group, type", land.get("service_name") == "土地山林纠纷"
              and land.get("group") == "dispute" and land.get("type") == "realtime", land)

        definition = client.get_service_definition("land")
        attributes = definition["attributes"]
        if mode == "xml":
            attributes = attributes["attribute"]
        codes = [attribute["code"] for attribute in attributes]
        check(f"[{mode}] the land service's definition: village and parties", definition["service_code"] == "land"
              and codes == ["village", "parties"], definition)
        village = attributes[0]
        values = village["values"] if mode == "json" else village["values"]["value"]
        check(f"[{mode}] the village attribute lists the county's villages", village["datatype"] == "singlevaluelist"
              and len(values) > 10, village.get("datatype"))

        request = client.get_service_request(args.id)
        check(f"[{mode}] the request curl filed, read back by id", request["service_request_id"] == args.id
              and request["service_code"] == "land" and request["status"] == "open", request)
        check(f"[{mode}] read without a key, it is a claim ticket: no description, address or personal data",
              "description" not in request and "address" not in request and "13812345678" not in json.dumps(request), request)
        listed = client.get_service_requests(service_request_id=args.id)
        if mode == "xml" and isinstance(listed, dict):
            listed = [listed]
        check(f"[{mode}] the request in a list by service_request_id", [item["service_request_id"] for item in listed] == [args.id], listed)
        recent = client.get_service_requests(service_code="land", status="open")
        if mode == "xml" and isinstance(recent, dict):
            recent = [recent]
        check(f"[{mode}] the request among the open land requests of the last 90 days",
              args.id in [item["service_request_id"] for item in recent], recent)

    with urllib.request.urlopen(f"{args.base}/requests/{args.id}.json?api_key={args.key}") as response:
        full = json.load(response)[0]
    check("with the api_key, the whole request: description, address, masked nowhere needed",
          full["description"] == "两户因宅基地界址争执，需要村里调解" and full["address_id"] and "13812345678" not in json.dumps(full), full)

    print(f"{'FAILED' if failed else 'passed'}: {failed} check(s) failed" if failed else "all checks passed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
