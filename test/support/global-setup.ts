// Placeholder: replaced by the moto emulator setup.
export default async function setup(): Promise<void> {}
