/**
 * Parsing `lldpcli -f json0` output. The json0 format wraps every value in a list of objects
 * (`"name": [{"value": "sw1"}]`), which is verbose but has the same shape whatever the count, so it
 * is the one worth validating against.
 */
import { z } from 'zod';

const values = z.array(z.object({ value: z.string() })).optional();
const typedValues = z.array(z.object({ type: z.string(), value: z.string() })).optional();

const chassisSchema = z.object({
  id: typedValues,
  name: values,
  descr: values,
  'mgmt-ip': values,
  capability: z.array(z.object({ type: z.string(), enabled: z.boolean() })).optional(),
});

const portSchema = z.object({ id: typedValues, descr: values });

const neighborsSchema = z.object({
  lldp: z.array(
    z.object({
      interface: z
        .array(
          z.object({
            name: z.string(),
            via: z.string().optional(),
            chassis: z.array(chassisSchema).optional(),
            port: z.array(portSchema).optional(),
          }),
        )
        .optional(),
    }),
  ),
});

const localChassisSchema = z.object({ 'local-chassis': z.array(z.object({ chassis: z.array(chassisSchema) })) });

export interface LldpNeighbor {
  /** The local interface the neighbour was heard on. */
  localInterface: string;
  /** LLDP, CDPv2, … */
  via: string;
  chassisId: string;
  chassisIdType: string;
  chassisName: string | undefined;
  /** Port id as sent; with `portidsubtype ifname` (the lab's switches) the port's interface name. */
  portId: string;
  portIdType: string;
  portDescr: string | undefined;
  /** Capabilities the neighbour has enabled, e.g. ["Bridge"] for a lab switch. */
  capabilities: string[];
  mgmtIps: string[];
}

type Chassis = z.infer<typeof chassisSchema>;

const first = (list: { value: string }[] | undefined): string | undefined => list?.[0]?.value;

function enabledCapabilities(chassis: Chassis | undefined): string[] {
  return (chassis?.capability ?? []).filter((c) => c.enabled).map((c) => c.type);
}

/** Neighbours from `lldpcli -f json0 show neighbors [details]`; throws on an unexpected shape. */
export function parseLldpNeighbors(json: unknown): LldpNeighbor[] {
  const doc = neighborsSchema.parse(json);
  return doc.lldp.flatMap((section) =>
    (section.interface ?? []).map((entry) => {
      const chassis = entry.chassis?.[0];
      const port = entry.port?.[0];
      return {
        localInterface: entry.name,
        via: entry.via ?? 'unknown',
        chassisId: chassis?.id?.[0]?.value ?? '',
        chassisIdType: chassis?.id?.[0]?.type ?? '',
        chassisName: first(chassis?.name),
        portId: port?.id?.[0]?.value ?? '',
        portIdType: port?.id?.[0]?.type ?? '',
        portDescr: first(port?.descr),
        capabilities: enabledCapabilities(chassis),
        mgmtIps: (chassis?.['mgmt-ip'] ?? []).map((v) => v.value),
      };
    }),
  );
}

/** The system name lldpd advertises, from `lldpcli -f json0 show chassis`. */
export function parseLocalChassisName(json: unknown): string | undefined {
  return first(localChassisSchema.parse(json)['local-chassis'][0]?.chassis[0]?.name);
}
