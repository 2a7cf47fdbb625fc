// The roles a person holds at an organization, and the groups of them that the rights of every layer name: declared
// once here, so that the workflows, the API, the web UI and the demo say "who steers" alike.

export const roles = ['admin', 'organizer', 'supervisor', 'liaison_officer', 'secretary'] as const;
export type Role = (typeof roles)[number];

/** Who steers the work: changes who, when or whether (cancels, reassigns, extends), and may do any step below. */
export const steeringRoles: readonly Role[] = ['admin', 'organizer', 'supervisor'];
/** Who keeps an organization's register and starts its processes: its organizers (and admins). */
export const organizingRoles: readonly Role[] = ['admin', 'organizer'];
/** Whether `role` steers the work. */
export const isSteering = (role: Role): boolean => steeringRoles.includes(role);
