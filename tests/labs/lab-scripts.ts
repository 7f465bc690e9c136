// How a learner works through each lab in the browser tests. The commands themselves come from
// labs/<slug>/lab.yaml (every one is typed); this file adds only what a person would do between
// them — wait for a Pod, or for a sidecar's next log line — and what each command should show.
/** Wait (in the lab's own shell) until `command`'s output contains `text`. */
export function waitFor(command: string, text: string, seconds = 120): string {
  return `timeout ${seconds} sh -c 'until ${command} 2>/dev/null | grep -q "${text}"; do sleep 2; done'`;
}

export function waitReady(pod: string): string {
  return `kubectl wait --for=condition=Ready pod/${pod} --timeout=180s`;
}

export interface StepScript {
  /** Commands typed before lab command i. */
  before?: Record<number, string[]>;
  /** What the terminal shows once lab command i finished. */
  expect?: Record<number, RegExp>;
  /** Lab command i starts an interactive program: wait for `until`, then type `then`. */
  interactive?: Record<number, { until: RegExp; then: string[] }>;
  /** Press "Check" before lab command i (that command undoes the outcome, e.g. deletes the Job). */
  checkBefore?: number;
}

/** nginx's default page: upstream's, or the offline kit's stand-in image's. */
const NGINX_PAGE = /Welcome to nginx!|<h1>nginx is running<\/h1>/;

const applied = (what: string) => new RegExp(`${what} (created|configured|unchanged)`);

export const labScripts: Record<string, Record<string, StepScript>> = {
  'what-is-a-sidecar': {
    'shared-network': {
      expect: { 0: /pair\s+2\/2\s+Running/, 1: NGINX_PAGE, 2: /"GET \/ HTTP\/1\.1" 200 .*Wget/ },
    },
    'shared-volume': {
      expect: { 1: /written by helper/ },
    },
  },
  'log-shipping-sidecar': {
    'access-log': {
      before: { 2: [waitFor('kubectl logs sidecar -c sidecar-container', 'GET / HTTP')] },
      expect: { 0: /sidecar\s+2\/2\s+Running/, 1: NGINX_PAGE, 2: /"GET \/ HTTP\/1\.1" 200 .*Wget/ },
    },
    'error-log': {
      before: { 1: [waitFor('kubectl logs sidecar -c sidecar-container', 'missing.html. failed')] },
      expect: { 0: /404 Not Found/, 1: /open\(\) ".*missing\.html" failed/ },
      interactive: { 2: { until: /\/ #$/m, then: ['exit'] } },
    },
  },
  'content-sidecar': {
    'content-pod': {
      before: { 1: [waitReady('nginx')] },
      expect: { 0: applied('pod/nginx'), 1: /nginx\s+2\/2\s+Running/, 2: /Output: Hello from the sidecar container!/ },
    },
    nodeport: {
      expect: {
        0: applied('service/nginx'),
        1: /NodePort.*80:30080\/TCP/,
        2: /Hello from the sidecar container!/,
        3: /Hello from the sidecar container!/,
      },
    },
    'git-sync': {
      before: { 1: [waitReady('site')] },
      expect: { 0: applied('pod/site'), 3: /Version 1 of the site/ },
    },
    publish: {
      before: { 2: [waitFor('curl -s http://site', 'Published by git-sync')] },
      expect: { 2: /Published by git-sync/ },
    },
  },
  'date-tailer': {
    'tail-the-log': {
      before: { 1: [waitReady('sidecar')], 4: [waitFor('kubectl logs sidecar -c sidecar-container', 'UTC')] },
      expect: {
        0: applied('pod/sidecar'),
        1: /sidecar\s+2\/2\s+Running/,
        4: /[A-Z][a-z]{2} [A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d [A-Z]+ \d{4}/,
        5: /[A-Z][a-z]{2} [A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d [A-Z]+ \d{4}/,
      },
    },
  },
  'localhost-between-containers': {
    loopback: {
      before: { 1: [waitReady('web'), waitFor('kubectl logs web -c pinger', 'nginx answered')] },
      expect: { 0: applied('pod/web'), 1: /nginx answered on 127\.0\.0\.1:80/, 2: NGINX_PAGE, 4: /:80\b/ },
    },
    'port-clash': {
      before: { 2: [waitFor('kubectl logs clash -c second', 'Address already in use')] },
      expect: { 0: applied('pod/clash'), 2: /Address already in use/ },
    },
  },
  'native-sidecars': {
    'start-order': {
      before: { 1: [waitReady('ordered')] },
      expect: { 0: applied('pod/ordered'), 2: /app started after the helper/, 3: /helper started=true/ },
    },
    'job-completes': {
      expect: {
        0: applied('job.batch/report'),
        1: /condition met/,
        2: /report\s+(Complete\s+)?1\/1/,
        3: /report done/,
      },
    },
    'classic-sidecar': {
      before: { 2: [waitFor('kubectl get pods -l app=report-classic', 'NotReady')] },
      expect: { 0: applied('job.batch/report-classic'), 2: /report-classic/, 3: /deleted/ },
      checkBefore: 3,
    },
  },
  'resources-probes-troubleshooting': {
    'fix-logger': {
      expect: { 0: /shop\s+\d\/\d\s+Running/, 3: /pod "logger" deleted/, 4: /pod\/logger created/ },
      before: { 5: [waitReady('logger')] },
    },
    oom: {
      before: {
        3: [
          waitFor(
            "kubectl get pod hungry -o jsonpath='{.status.containerStatuses[*].lastState.terminated.reason}'",
            'OOMKilled',
          ),
        ],
      },
      expect: { 0: applied('pod/hungry'), 3: /cache restarts=[1-9]/ },
    },
  },
  'log-pipeline': {
    ship: {
      before: { 3: [waitFor('kubectl logs deploy/central', 'GET /hello')] },
      expect: {
        0: applied('deployment.apps/web'),
        1: /successfully rolled out/,
        2: /^404$/m,
        3: /k8s\.pod\.name: Str\(web-[a-z0-9]+-[a-z0-9]+\)/,
      },
    },
    native: {
      before: { 5: [waitFor('kubectl logs deploy/central', 'warm-up')] },
      expect: {
        0: /"GET \/ HTTP\/1\.1" 200 .*"warm-up"/,
        1: /^0$/m,
        2: applied('deployment.apps/web'),
        3: /successfully rolled out/,
        5: /k8s\.pod\.name: Str\(web-/,
      },
    },
    oom: {
      before: {
        4: [
          waitFor(
            "kubectl get pods -l app=web -o jsonpath='{.items[*].status.initContainerStatuses[*].lastState.terminated.exitCode}'",
            '137',
            180,
          ),
        ],
      },
      expect: {
        0: /resource requirements updated/,
        1: /successfully rolled out/,
        2: /scaled/,
        5: /web-\S+ (OOMKilled|Error) 137/,
        6: /^200$/m,
      },
    },
    recover: {
      before: { 5: [waitFor('kubectl logs deploy/central', 'after-the-storm')] },
      expect: {
        0: /scaled/,
        1: applied('deployment.apps/web'),
        2: /successfully rolled out/,
        4: /^404$/m,
        5: /k8s\.pod\.name: Str\(web-/,
        6: /^0$/m,
      },
    },
  },
  'tls-auth-proxy': {
    proxy: {
      expect: {
        0: applied('pod/web'),
        1: /condition met/,
        2: /Hello from the app, behind its proxy/,
        3: /^401$/m,
        4: /command terminated with exit code 7/,
        5: / - learner \[[^\]]+\] "GET \/ HTTP\/1\.1" 200 /,
      },
    },
  },
  ambassador: {
    ambassador: {
      before: { 2: [waitFor('kubectl logs app -c app', 'stored and read back visit:5')] },
      expect: {
        0: applied('pod/app'),
        1: /condition met/,
        2: /stored and read back visit:\d+/,
        3: /^[1-9]\d*$/m,
        4: /^[1-9]\d*$/m,
        5: /^\d\d:\d\d:\d\d$/m,
        6: /"value":"127\.0\.0\.1"/,
      },
    },
  },
  adapter: {
    exporter: {
      expect: {
        0: applied('pod/web'),
        1: /condition met/,
        2: /Active connections: \d+/,
        3: /^nginx_up 1$/m,
      },
    },
    scrape: {
      before: { 3: [waitFor('curl -s http://prometheus:9090/api/v1/query?query=nginx_up', '__name__')] },
      expect: {
        0: applied('configmap/prometheus-config'),
        1: /restarted/,
        2: /successfully rolled out/,
        3: /"scrapeUrl":"http:\/\/web:9113\/metrics"/,
        5: /"__name__":"nginx_http_requests_total"/,
      },
    },
  },
  'config-reloader': {
    run: {
      before: { 1: [waitReady('prometheus')] },
      expect: {
        0: applied('pod/prometheus'),
        1: /prometheus\s+2\/2\s+Running/,
        2: /Watching directory: "\/etc\/prometheus"/,
        3: /job_name: prometheus/,
      },
    },
    reload: {
      // the kubelet refreshes the ConfigMap's files on its next sync of the Pod, up to a minute or so
      before: { 2: [waitFor('kubectl logs prometheus -c reloader', 'successfully triggered reload', 180)] },
      expect: {
        0: /prometheus restarts=0\s+reloader restarts=0/,
        1: applied('configmap/prometheus-config'),
        2: /config map updated[\s\S]*successfully triggered reload/,
        3: /"scrapeUrl":"http:\/\/localhost:9533\/metrics"/,
        4: /prometheus restarts=0\s+reloader restarts=0/,
      },
    },
  },
  'caching-sidecar': {
    cache: {
      before: { 1: [waitReady('web')] },
      expect: {
        0: applied('pod/web'),
        1: /web\s+2\/2\s+Running/,
        2: /X-Cache-Status: MISS[\s\S]*report 1, made at/,
        3: /X-Cache-Status: HIT[\s\S]*report 1, made at/,
        4: /^0\.\d+ s\s*$/m,
      },
    },
    'ten-requests': {
      expect: { 0: /(200 0\.\d+ s\s+){10}/, 1: /^1$/m, 2: /cache=HIT/ },
    },
    purge: {
      expect: {
        0: /X-Cache-Status: BYPASS[\s\S]*report 2, made at/,
        1: /X-Cache-Status: HIT[\s\S]*report 2, made at/,
        2: /^2$/m,
      },
    },
  },
  'sidecar-injection': {
    inject: {
      // The old, uninjected Pods are still terminating when the rollout reports done.
      before: { 3: [waitFor('kubectl get pods -l app=web,sidecar-labs.dev/inject!=true -o name | wc -l', '^0$')] },
      expect: {
        1: /deployment\.apps\/web patched/,
        2: /successfully rolled out/,
        3: /sidecar-proxy restartPolicy=Always/,
        4: /X-Sidecar-Proxy: web-/i,
      },
    },
    job: {
      expect: {
        0: applied('job.batch/report'),
        1: /condition met/,
        2: /proxy says: ready/,
        3: /sidecar-proxy restartPolicy=Always/,
      },
    },
    cost: {
      expect: { 0: /scaled/, 1: /successfully rolled out/, 2: /20m\s+16Mi/, 3: /requests\.cpu/ },
    },
    waypoint: {
      expect: {
        0: applied('deployment.apps/waypoint'),
        1: /deployment\.apps\/web patched/,
        2: /successfully rolled out/,
        3: /successfully rolled out/,
        4: /X-Sidecar-Proxy: waypoint-/i,
        5: /requests\.cpu/,
      },
    },
  },
};
