"""
botocore against cloudlet's codecs, without a network: a before-send hook captures the request
botocore built (for cloudlet to decode) and answers with the bytes cloudlet encoded (for
botocore's own parsers to read). Driven by test/conformance/botocore.ts.

stdin: {"jobs": [{"id", "service", "protocol"?, "operation", "params", "response": {"status",
"headers", "body" (base64)}}]}. stdout: one JSON object per job and line:
{"id", "request": {"method", "url", "headers", "body"}, "ok": parsed} or {..., "error": {...}}.
Typed values travel as {"$date": epoch ms}, {"$blob": base64}, {"$float": "NaN"|"Infinity"|"-Infinity"}.
"""
import base64
import copy
import datetime
import json
import math
import sys

import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.response import StreamingBody
from urllib3._collections import HTTPHeaderDict

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def decode(v):
    if isinstance(v, dict):
        if '$date' in v and len(v) == 1:
            return EPOCH + datetime.timedelta(milliseconds=v['$date'])
        if '$blob' in v and len(v) == 1:
            return base64.b64decode(v['$blob'])
        if '$float' in v and len(v) == 1:
            return float(v['$float'].replace('Infinity', 'inf'))
        return {k: decode(x) for k, x in v.items()}
    if isinstance(v, list):
        return [decode(x) for x in v]
    return v


def encode(v):
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        # Nearest millisecond: botocore reads epoch floats through datetime, e.g. .999 -> .998999.
        return {'$date': round((v - EPOCH) / datetime.timedelta(milliseconds=1))}
    if isinstance(v, (bytes, bytearray)):
        return {'$blob': base64.b64encode(bytes(v)).decode()}
    if isinstance(v, StreamingBody):
        return {'$blob': base64.b64encode(v.read()).decode()}
    if isinstance(v, float) and not math.isfinite(v):
        return {'$float': 'NaN' if math.isnan(v) else ('Infinity' if v > 0 else '-Infinity')}
    if isinstance(v, dict):
        return {k: encode(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [encode(x) for x in v]
    if hasattr(v, 'read'):
        return {'$blob': base64.b64encode(v.read()).decode()}
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    return {'$unknown': f'{type(v).__name__}: {v!r}'[:200]}


class RawStream:
    def __init__(self, body):
        self.body = body
        self.done = False

    def stream(self, **kwargs):
        if not self.done:
            self.done = True
            yield self.body

    def read(self, *args, **kwargs):
        if self.done:
            return b''
        self.done = True
        return self.body


clients = {}


def client_for(service, protocol, addressing='path', endpoint='http://127.0.0.1:1'):
    key = (service, protocol, addressing, endpoint)
    if key in clients:
        return clients[key]
    session = botocore.session.get_session()
    if protocol:
        # botocore picks the first protocol it supports from the model's list (smithy-rpc-v2-cbor
        # for CloudWatch); pin the one under test instead.
        loader = session.get_component('data_loader')
        original = loader.load_service_model

        def load(service_name, type_name, api_version=None):
            data = original(service_name, type_name, api_version)
            if service_name == service and type_name == 'service-2':
                data = copy.deepcopy(data)
                data['metadata']['protocol'] = protocol
                data['metadata']['protocols'] = [protocol]
            return data

        loader.load_service_model = load
    config = Config(
        retries={'total_max_attempts': 1},
        s3={'addressing_style': addressing},
        request_checksum_calculation='when_required',
        response_checksum_validation='when_required',
        parameter_validation=True,
    )
    client = session.create_client(service, region_name='us-east-1', endpoint_url=endpoint,
                                   aws_access_key_id='test', aws_secret_access_key='test', config=config)
    methods = {v: k for k, v in client.meta.method_to_api_mapping.items()}
    box = {}

    def before_send(request, **kwargs):
        body = request.body or b''
        if isinstance(body, str):
            body = body.encode('utf-8')
        elif hasattr(body, 'read'):
            body = body.read()
        box['request'] = {
            'method': request.method,
            'url': request.url,
            'headers': {k: (v.decode('latin-1') if isinstance(v, bytes) else v) for k, v in request.headers.items()},
            'body': base64.b64encode(bytes(body)).decode(),
        }
        res = box['response']
        headers = HTTPHeaderDict()
        for k, v in res['headers'].items():
            headers[k] = v
        return AWSResponse(request.url, res['status'], headers, RawStream(base64.b64decode(res['body'])))

    client.meta.events.register('before-send', before_send)
    clients[key] = (client, methods, box)
    return clients[key]


def run(job):
    client, methods, box = client_for(job['service'], job.get('protocol'), job.get('addressing', 'path'), job.get('endpoint', 'http://127.0.0.1:1'))
    box.clear()
    box['response'] = job['response']
    out = {'id': job['id']}
    method = methods.get(job['operation'])
    if method is None:
        out['missing'] = True
        return out
    try:
        parsed = getattr(client, method)(**decode(job['params']))
        meta = parsed.pop('ResponseMetadata', {})
        out['ok'] = encode(parsed)
        out['meta'] = {'RequestId': meta.get('RequestId'), 'HTTPStatusCode': meta.get('HTTPStatusCode')}
    except ClientError as e:
        meta = e.response.get('ResponseMetadata', {})
        out['error'] = {
            'class': type(e).__name__,
            'Error': encode(e.response.get('Error', {})),
            'RequestId': meta.get('RequestId'),
            'HTTPStatusCode': meta.get('HTTPStatusCode'),
        }
    except Exception as e:  # noqa: BLE001 - every other failure is reported, not raised
        out['exception'] = f'{type(e).__name__}: {e}'[:400]
    out['request'] = box.get('request')
    return out


def main():
    jobs = json.load(sys.stdin)['jobs']
    for job in jobs:
        try:
            line = json.dumps(run(job))
        except Exception as e:  # noqa: BLE001 - a driver bug must not hide the other cases
            line = json.dumps({'id': job['id'], 'exception': f'driver: {type(e).__name__}: {e}'[:400]})
        sys.stdout.write(line + '\n')
    sys.stdout.flush()


if __name__ == '__main__':
    main()
