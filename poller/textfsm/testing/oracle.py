# Python's own TextFSM and re, used as a black box to check the TypeScript engine (differential tests).
# Reads JSON lines from stdin, answers one JSON line each:
#   {"regex": str, "inputs": [str]}   -> {"ok": [[group0, group1, ...] or null], "nullable_repeat": bool}
#                                        or {"error": str} when re rejects the pattern
#   {"template": str, "text": str}    -> {"header": [...], "rows": [...]}, {"template_error": str} or {"parse_error": str}
# "nullable_repeat" tells that the pattern repeats (more than once) something that can match empty, where
# Python and JavaScript are known to differ (docs/textfsm.md).
import io
import json
import re
import sys
import warnings

import textfsm

try:
    import re._parser as sre_parse
except ImportError:  # Python < 3.11
    import sre_parse

warnings.simplefilter('ignore')
REPEATS = tuple(op for op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, getattr(sre_parse, 'POSSESSIVE_REPEAT', None)) if op is not None)


def nullable_repeat(items):
    for op, av in items:
        if op in REPEATS:
            if av[1] > 1 and av[2].getwidth()[0] == 0:
                return True
            if nullable_repeat(av[2]):
                return True
        elif op == sre_parse.SUBPATTERN:
            if nullable_repeat(av[-1]):
                return True
        elif op == sre_parse.BRANCH:
            if any(nullable_repeat(b) for b in av[1]):
                return True
        elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
            if nullable_repeat(av[1]):
                return True
        elif op == getattr(sre_parse, 'ATOMIC_GROUP', None):
            if nullable_repeat(av):
                return True
    return False


def answer(req):
    if 'regex' in req:
        try:
            r = re.compile(req['regex'])
        except re.error as e:
            return {'error': str(e)}
        out = []
        for s in req['inputs']:
            m = r.match(s)
            out.append(None if m is None else [m.group(0)] + list(m.groups()))
        return {'ok': out, 'nullable_repeat': nullable_repeat(sre_parse.parse(req['regex']))}
    try:
        fsm = textfsm.TextFSM(io.StringIO(req['template']))
    except textfsm.TextFSMTemplateError as e:
        return {'template_error': str(e)}
    try:
        return {'header': fsm.header, 'rows': fsm.ParseText(req['text'])}
    except textfsm.TextFSMError as e:
        return {'parse_error': str(e)}


for line in sys.stdin:
    try:
        result = answer(json.loads(line))
    except Exception as e:  # an oracle crash is reported, not hidden
        result = {'crash': type(e).__name__ + ': ' + str(e)}
    print(json.dumps(result))
    sys.stdout.flush()
